"""Where a dotnet-trace sampled-thread-time profile (speedscope JSON) spends its on-CPU managed samples.

The sampler records every managed thread ~100 times a second, running or not. Only samples whose leaf is CPU_TIME
(the thread was executing managed code) and whose frame under it is not a wait (thread-pool semaphore, finalizer,
GC suspension, monitor, sleep) count here. Inclusive share per method, then the hottest leaf methods.
Idle thread-pool workers that spin (LowLevelLifoSemaphore) are dropped as waiting, and native code (the kernel,
fsync, SQLite's engine) is charged to its managed caller or not seen at all: bench/perf.sh shows the whole process.
    python3 bench/profile_summary.py TRACE.speedscope.json [N]
"""
import collections
import json
import sys

WAITS = ("RunFinalizers", "LowLevelLifoSemaphore", "PollGC", "WorkerThreadStart", "WaitOneNoCheck", "Thread.Sleep",
         "Monitor.Wait", "LowLevelSpinWaiter", "Monitor.Enter_Slowpath", "?!?")


def method(frame):
    return frame.split("(")[0].split("!")[-1][:160]


def main():
    trace = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    frames = [f["name"] for f in trace["shared"]["frames"]]
    inclusive, leaves, total = collections.Counter(), collections.Counter(), 0.0
    for profile in trace["profiles"]:
        if profile["type"] != "evented":
            continue
        stack, last = [], None
        for event in profile["events"]:
            if last is not None and len(stack) > 1:
                names = [frames[i] for i in stack]
                if names[-1] == "CPU_TIME" and not any(w in names[-2] for w in WAITS):
                    elapsed = event["at"] - last
                    total += elapsed
                    for name in {method(n) for n in names}:
                        inclusive[name] += elapsed
                    leaves[method(names[-2])] += elapsed
            last = event["at"]
            if event["type"] == "O":
                stack.append(event["frame"])
            else:
                stack.pop()
    print(f"on-CPU managed samples: {total:.0f} ms")
    print("--- inclusive")
    for name, value in inclusive.most_common(top):
        print(f"{100 * value / total:6.1f}% {name}")
    print("--- leaf")
    for name, value in leaves.most_common(top // 2):
        print(f"{100 * value / total:6.1f}% {name}")


if __name__ == "__main__":
    main()
