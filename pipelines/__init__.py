"""What happens to fetched pages: WARC capture, extraction of clean text, storage."""
