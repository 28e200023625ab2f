namespace Chat.Server.WarmUp;

/// <summary>One part of the start-up warm-up; the steps run one after the other, in the order they were registered.</summary>
internal interface IWarmUpStep
{
    Task RunAsync(CancellationToken cancellationToken);
}
