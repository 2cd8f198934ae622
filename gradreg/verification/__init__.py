"""The public checks of the platform's documents: anyone holding an e-agreement may ask whether it is genuine and current."""
