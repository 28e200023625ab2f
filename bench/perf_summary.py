"""Where a perf profile of the chat server spends its CPU, by part of the server.

Each sample is charged to the first frame, walking from the leaf towards the thread's start, that names a known part
(a syscall, a native library, one of our namespaces, a framework layer), so a kernel sample inside a send() counts as
"socket send" and a MessagePack frame under the broadcast counts as "broadcast". Unmatched samples are listed by leaf.
    python3 bench/perf_summary.py OUT.perf.txt
"""
import collections
import sys

PARTS = [
    ("thread pool: spinning for work (sched_yield)", ["sched_yield"]),
    ("futex: threads parking and waking", ["futex"]),
    ("fsync (commit)", ["fsync", "fdatasync"]),
    ("socket send", ["sendto", "sendmsg", "__send"]),
    ("socket receive", ["recvfrom", "recvmsg", "__libc_recv"]),
    ("epoll", ["epoll_wait", "epoll_ctl"]),
    ("JIT", ["libclrjit"]),
    ("SQLite engine", ["libe_sqlite3"]),
    ("store: group commit", ["Chat.Server.History"]),
    ("broadcast", ["Chat.Server.Messaging.MessageBroadcaster"]),
    ("our hub, filters and services", ["Chat.Server."]),
    ("SignalR and MessagePack", ["Microsoft.AspNetCore.SignalR", "MessagePack"]),
    ("WebSockets and HTTP connections", ["System.Net.WebSockets", "Microsoft.AspNetCore.Http.Connections"]),
    ("Kestrel", ["Kestrel"]),
]

# Every thread starts in the runtime and most managed code runs through CoreLib, so these two only name a sample
# whose leaf-most user-space frame is theirs and which no part above claims.
GENERIC = [
    ("runtime (libcoreclr: GC, allocation, stubs)", "libcoreclr"),
    ("CoreLib (async machinery, thread pool, collections)", "System.Private.CoreLib"),
]


def part_of(frames):
    for frame in frames:
        for name, keys in PARTS:
            if any(key in frame for key in keys):
                return name
    user = next((frame for frame in frames if "[kernel.kallsyms]" not in frame and "libc.so" not in frame), "")
    return next((name for name, key in GENERIC if key in user), None)


def samples(path):
    frames = []
    with open(path, errors="replace") as lines:
        for line in lines:
            if line.strip():
                frames.append(line.strip())
            elif frames:
                yield frames[1:]
                frames = []
    if frames:
        yield frames[1:]


def main():
    parts, unmatched, total = collections.Counter(), collections.Counter(), 0
    for frames in samples(sys.argv[1]):
        total += 1
        part = part_of(frames)
        if part is None:
            parts["other"] += 1
            unmatched[frames[0].split(" ", 1)[-1][:120] if frames else "?"] += 1
        else:
            parts[part] += 1
    print(f"samples: {total}")
    for name, count in parts.most_common():
        print(f"{100 * count / total:5.1f}% {name}")
    print("--- other, by leaf")
    for name, count in unmatched.most_common(15):
        print(f"{100 * count / total:5.1f}% {name}")


if __name__ == "__main__":
    main()
