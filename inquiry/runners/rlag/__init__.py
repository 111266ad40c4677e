"""RLAG runner: does reinforcement learning from augmented generation embed knowledge better than fine-tuning?"""
