"""Deep Text Lab's engine: data, text, models and figures, usable without Streamlit.

Submodules import their heavy dependencies (NLTK, scikit-learn, gensim, Keras) lazily,
so importing ``core`` itself costs almost nothing.
"""
