using Chat.Server.Rooms;
using Chat.Shared;

namespace Chat.Server.Reading;

/// <summary>Read pointers, unread counts and receipts.</summary>
public sealed class ReadStateService
{
    public Task<ReadState> MarkReadAsync(string connectionId, RoomName room, long sequence, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<ReadReceipt[]> GetReadReceiptsAsync(string connectionId, RoomName room, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
