"""The text classifier: splits, features, the Keras network, training, and an honest evaluation.

- ``splits``, ``features``, ``model``, ``train``: the flow from labelled text to a
  trained network;
- ``metrics``, ``curves``, ``baselines``, ``report``: how good it is, against classical models;
- ``repeats``, ``spread``: that comparison repeated over seeds and held-out groups, and the
  verdict that weighs the gap against the spread between runs;
- ``contributions``: why it said what it said, ``contributions_display`` showing it;
- ``bundle_format``, ``bundle_export``, ``bundle``: what a saved model holds, writing it, and
  loading it back safely (the hardened readers are in ``core.safe_files``);
- ``distributed``: data-parallel training over several processes (JAX);
- ``snippets``: the classifier pages' "Show the code".
"""
