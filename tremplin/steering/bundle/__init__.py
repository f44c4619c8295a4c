"""The interchange bundle (BUNDLE.md, version 1): streaming reader, validation, import, export."""
