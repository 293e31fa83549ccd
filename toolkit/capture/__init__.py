"""On-site capture: the reviewers' app (Voilà + ipywidgets) and the server that runs it."""
