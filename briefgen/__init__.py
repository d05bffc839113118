"""briefgen turns a version-controlled fact base into a sourced briefing: Markdown, HTML and PDF."""

__version__ = "0.1.0"
