"""Text -> numbers, as the talk's NLP section: tokens, bag of words, cosine similarity.

- ``analysis``: NLTK tokenizers and stemmers, stop words, n-grams, the talk's examples;
- ``bagofwords``: scikit-learn bag of words (binary, counts, TF-IDF) and its tables;
- ``similarity``: cosine similarity between vectors and between documents.
"""
