"""Neural networks, as the talk builds them: Dense networks, live training, runs, one module a page.

- ``networks``: Dense networks and optimizers from a plain spec;
- ``jobs``: work in a worker thread (a training, a projection) as one typed, stoppable handle;
- ``training``: live training (stop flag, progress, run records) for every page that trains;
- ``runs``: a session's trainings as comparable, exportable rows;
- ``perceptron``, ``playground``, ``optimization``, ``overfitting``, ``regression``,
  ``images``: the computation behind each neural-network page.
"""
