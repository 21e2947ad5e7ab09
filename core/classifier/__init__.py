"""The text classifier: splits, features, the Keras network, training, and an honest evaluation.

- ``splits``, ``features``, ``model``, ``train``: the flow from labelled text to a
  trained network;
- ``metrics``, ``curves``, ``baselines``, ``report``: how good it is, against classical models;
- ``contributions``: why it said what it said, ``contributions_display`` showing it;
  ``bundle``: saving and loading it safely;
- ``distributed``: data-parallel training over several processes (JAX).
"""
