"""Tests for koreoctl.fn."""
