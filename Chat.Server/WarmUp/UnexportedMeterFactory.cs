using System.Diagnostics.Metrics;

namespace Chat.Server.WarmUp;

/// <summary>
/// The meters of the warm-up's private server: made like the default factory's, but marked (their scope is this
/// factory) so that the node's exporter leaves them out; its rehearsal traffic is not the node's.
/// </summary>
internal sealed class UnexportedMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public static bool Owns(Meter meter) => meter.Scope is UnexportedMeterFactory;

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
