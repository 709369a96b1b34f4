"""Integrations of auditor's runtime decision into other tools (LiteLLM proxy)."""
