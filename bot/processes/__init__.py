"""Starting, supervising and stopping the servers: one stack (``make run``) or a cluster (``make run-cluster``)."""
