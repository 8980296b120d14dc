"""docservice: document management and search for sales teams."""

__version__ = "0.1.0"
