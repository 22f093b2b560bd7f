"""The stand-in Slack, the one harness that starts Kring against it, and `kring demo`."""
