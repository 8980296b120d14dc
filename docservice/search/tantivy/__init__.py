"""The SearchIndex port on an embedded Tantivy index: ``TantivyIndex``."""

from docservice.search.tantivy.facets import FacetThreads
from docservice.search.tantivy.index import TantivyIndex

__all__ = ["FacetThreads", "TantivyIndex"]
