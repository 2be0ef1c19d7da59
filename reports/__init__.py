"""The visual report: one self-contained HTML file with SVG charts drawn here, no JavaScript, no external URL."""
