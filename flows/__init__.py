"""Playwright page objects for Seller Central's SAFE-T pages: locators and actions, no policy."""
