namespace Chat.Tests.Infrastructure;

/// <summary>
/// Tests that read what the whole test process shares run after every parallel class, alone: the managed heap, and
/// prometheus-net's one registry per process. The in-process servers of other classes would be measured with them.
/// </summary>
[CollectionDefinition(nameof(ProcessWideState), DisableParallelization = true)]
public sealed class ProcessWideState;
