"""Python builders for the snn dialect's ops (generated from the ODS at build time)."""
