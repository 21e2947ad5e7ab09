"""Word embeddings: from one-hot vectors to word2vec, and what to do with the vectors.

- ``pairs``: the skip-gram and CBOW training examples of a sentence;
- ``onehot``: one-hot vectors against dense embeddings;
- ``word2vec``: gensim's Word2Vec trained one epoch at a time;
- ``vectors``: a named set of word vectors; ``similarity``: neighbours, analogies, odd one out;
- ``evaluation``: analogy and similarity benchmarks; ``projection``: PCA, t-SNE and UMAP,
  with ``projection_table`` (what the map shows) and ``projection_threads`` (their progress);
- ``vector_read`` and ``vector_write``: word2vec and GloVe files in, and out; the parsers
  behind ``vector_read`` are ``vector_text`` and ``vector_binary``, sharing ``vector_rows``;
- ``snippets``: the word-vector pages' "Show the code".
"""
