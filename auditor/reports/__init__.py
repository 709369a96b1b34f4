"""Reports: a ScanResult rendered for people (table) and for programs (json)."""
