"""Hardened reading of files a person uploads, shared by model bundles and word-vector files.

- ``unsafe``: one table of the files never opened (pickles, HDF5, Keras archives, numpy
  arrays) and one refusal of them, by first bytes, by name or by zip member names;
- ``zips``: zip archives checked before unpacking (member names, sizes, compression ratio,
  count), then read with a hard cap;
- ``arrays``: ``.npz`` and ``.npy`` arrays read without pickles, headers checked first;
- ``schema``: strict JSON and a validator driven by type hints and settings dataclasses.
"""
