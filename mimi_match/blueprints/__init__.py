"""Thin views: parse the form, call one service, render or redirect."""
