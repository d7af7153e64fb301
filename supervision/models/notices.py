"""Notices (督办单, 提醒函), rule firings and notifications."""
