"""narrative: a static-site generator for an organisation's stories, pledge and responses."""

__version__ = "0.1.0"
