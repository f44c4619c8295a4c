#!/usr/bin/env python
"""Same as the `tremplin` command, for those who expect manage.py."""

from tremplin.__main__ import main

if __name__ == "__main__":
    main()
