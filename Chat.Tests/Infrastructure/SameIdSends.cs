using Chat.Shared;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// One user on several connections sends the same clientMessageId at the same moment, while each connection also
/// sends a fresh message to a second room: the copies land in one group commit (or a few), beside other rooms.
/// </summary>
public static class SameIdSends
{
    public const int Connections = 6;

    public static async Task ShouldStoreOneMessageAsync(Func<string, Task<TestClient>> connect)
    {
        var room = TestDefaults.UniqueRoom();
        var otherRoom = TestDefaults.UniqueRoom("other");
        var user = TestDefaults.UniqueUser("twin");
        var connections = new List<TestClient>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var connection = await connect(user);
                connections.Add(connection);
                await connection.JoinRoom(room);
                await connection.JoinRoom(otherRoom);
            }

            var copies = connections.Select(c => c.SendMessage(room, "said once", "same-id")).ToList();
            var fresh = connections.Select((c, i) => c.SendMessage(otherRoom, $"fresh {i}", $"fresh-{i}")).ToList();
            var answers = await Task.WhenAll(copies);
            var others = await Task.WhenAll(fresh);

            answers.Should().AllBeEquivalentTo(answers[0], "every copy is answered with the one stored message");
            answers[0].Sequence.Should().Be(1);
            (await connections[0].GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage)).Should().Equal(answers[0]);
            others.Select(m => m.Sequence).Should().BeEquivalentTo(Enumerable.Range(1, Connections).Select(i => (long)i));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
