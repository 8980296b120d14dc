"""Customer records from CRM exports: reading the file and mapping its columns (no I/O
beyond the bytes given, no database)."""
