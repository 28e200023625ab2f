using Chat.Shared;

namespace Chat.Tests.Infrastructure;

/// <summary>What the read state, receipt and notification tests (contract v2, section 4) share.</summary>
public static class ReadStates
{
    /// <summary>This user's entry for <paramref name="room"/> in <see cref="IChatHub.ListMyRooms"/>.</summary>
    public static async Task<MyRoom> MyRoomAsync(this TestClient client, string room)
    {
        var mine = await client.ListMyRooms();
        mine.Should().ContainSingle(r => r.Room.Room == room, "{0} is a member of {1}", client.UserName, room);
        return mine.Single(r => r.Room.Room == room);
    }

    /// <summary>The read state <see cref="IChatHub.ListMyRooms"/> shows for <paramref name="room"/>, in <see cref="ReadState"/>'s shape.</summary>
    public static async Task<ReadState> ListedReadStateAsync(this TestClient client, string room)
    {
        var mine = await client.MyRoomAsync(room);
        return new ReadState(room, mine.LastReadSequence, mine.UnreadCount, mine.MentionCount);
    }

    /// <summary>Posts <paramref name="content"/>, mentioning <paramref name="mentioned"/>.</summary>
    public static Task<ChatMessage> Mention(this TestClient sender, string room, string content, params TestClient[] mentioned) =>
        sender.PostMessage(room, new PostMessageRequest(content, Mentions: [.. mentioned.Select(m => m.UserId)]));

    /// <summary>Every notification of the user, paged through <see cref="IChatHub.GetNotifications"/> newest first.</summary>
    public static async Task<List<Notification>> ReadAllNotificationsAsync(this TestClient client, int pageSize = ChatLimits.MaxNotificationsPage)
    {
        var all = new List<Notification>();
        while (true)
        {
            var page = await client.GetNotifications(all.Count == 0 ? null : all[^1].Id, pageSize);
            if (page.Length == 0)
            {
                return all;
            }

            all.AddRange(page);
        }
    }
}
