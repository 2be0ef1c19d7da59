"""SQL models (staging -> core -> marts), the runner that builds them, and data checks."""
