#!/usr/bin/env python3
# Test helper for tests/training/distributed_test.cpp: usage torchelastic_agent.py PORT N PROGRAM ARGS...
# Plays torchrun's agent: serves the c10d TCPStore on MASTER_PORT and starts the ranks with the
# variables torchrun sets (static rendezvous, TORCHELASTIC_USE_AGENT_STORE=True).
import os, subprocess, sys, datetime
import torch.distributed as dist
port, n, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
store = dist.TCPStore("127.0.0.1", port, n, True, datetime.timedelta(seconds=60), wait_for_workers=False)
procs = []
for r in range(n):
    env = dict(os.environ, RANK=str(r), LOCAL_RANK=str(r), WORLD_SIZE=str(n), MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(port), TORCHELASTIC_USE_AGENT_STORE="True", TORCHELASTIC_RESTART_COUNT="0")
    procs.append(subprocess.Popen(cmd, env=env))
sys.exit(max(p.wait() for p in procs))
