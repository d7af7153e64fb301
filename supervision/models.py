"""Supervision orders (督办单), reminder letters (提醒函) and bulletins live here."""
