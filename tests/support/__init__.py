"""What the tests share: clients, fakes of the remote APIs, browser fixtures, hostile inputs."""
