"""The KEHY directory ("kooste"): every unit's latest submitted profile in one document."""
