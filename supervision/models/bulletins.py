"""Weekly bulletins (每周通报), special rectification campaigns (专项整治) and typical cases (典型案例)."""
