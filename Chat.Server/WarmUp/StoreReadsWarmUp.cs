using Chat.Server.History;
using Chat.Shared;

namespace Chat.Server.WarmUp;

/// <summary>
/// The reads every join and every recovery makes, on the node's own store, for a room that cannot exist (its name
/// breaks the room-name rule): they compile the store provider's queries (PostgreSQL's too, which the rehearsal on
/// SQLite does not touch) and read nothing, write nothing.
/// </summary>
internal sealed class StoreReadsWarmUp(IMessageStore store) : IWarmUpStep
{
    private const string NoRoom = "~warm-up";
    private const int Reads = 40;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (ChatRules.IsValidRoomName(NoRoom))
        {
            throw new InvalidOperationException($"'{NoRoom}' became a valid room name: the warm-up would read a real room.");
        }

        for (var i = 0; i < Reads; i++)
        {
            await store.GetHistoryAsync(NoRoom, null, 50, cancellationToken);
            await store.GetSinceAsync(NoRoom, 0, 50, cancellationToken);
            await store.GetCountersAsync(NoRoom, cancellationToken);
            await store.GetEventsAsync(NoRoom, 0, 1, cancellationToken);
        }

        await JitQuiet.WaitAsync(cancellationToken);
    }
}
