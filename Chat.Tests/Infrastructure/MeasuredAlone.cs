namespace Chat.Tests.Infrastructure;

/// <summary>
/// Tests that measure the test process itself (its managed heap) run after every parallel class, alone: the
/// in-process servers of other classes share that heap, and would be measured with them.
/// </summary>
[CollectionDefinition(nameof(MeasuredAlone), DisableParallelization = true)]
public sealed class MeasuredAlone;
