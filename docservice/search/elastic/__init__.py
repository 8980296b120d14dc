"""The SearchIndex port on Elasticsearch 9 or OpenSearch: ``ElasticIndex`` and its clients."""

from docservice.search.elastic.client import ElasticsearchClient, OpenSearchClient, SearchClient
from docservice.search.elastic.index import ElasticIndex

__all__ = ["ElasticIndex", "ElasticsearchClient", "OpenSearchClient", "SearchClient"]
