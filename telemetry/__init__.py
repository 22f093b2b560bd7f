"""Operational telemetry: Prometheus metrics and the small HTTP server that exposes them.

A leaf package: it imports no other part of Kring, so every layer may record a metric.
"""
