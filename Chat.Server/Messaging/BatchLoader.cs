using Chat.Server.History;

namespace Chat.Server.Messaging;

/// <summary>Reads what a batch's plan needs and writes what it decided, inside the batch's transaction.</summary>
internal static class BatchLoader
{
    public static async Task<BatchState> LoadAsync(BatchCommands commands, IReadOnlyList<ChangeRequest> batch, bool findRetries)
    {
        var state = new BatchState();
        var readsState = false;
        HashSet<(string, string)>? retryKeys = null;
        foreach (var change in batch)
        {
            if (change is not PostRequest post)
            {
                readsState = true;
            }
            else if (findRetries && post.ClientMessageId is { } clientId)
            {
                (retryKeys ??= []).Add((post.Actor.Id, clientId));
            }
        }

        // A plain batch of new messages (the hot path) reads nothing. A batch that reads messages holds all its rooms
        // first, in one order, so that nothing it read can change before it writes.
        if (readsState)
        {
            await commands.LockRoomsAsync(batch.Select(c => c.Room).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
        }

        if (retryKeys is not null)
        {
            await commands.FindRetriesAsync(retryKeys, state.Retries);
            foreach (var stored in state.Retries.Values)
            {
                await AddWithReplyTargetAsync(commands, state, stored);
            }
        }

        foreach (var change in batch)
        {
            var targetId = change is PostRequest post ? post.ReplyToId : change.TargetId;
            if (targetId is null || state.Find(targetId) is not null || await commands.FindMessageAsync(targetId) is not { } stored)
            {
                continue;
            }

            await AddWithReplyTargetAsync(commands, state, stored);
        }

        foreach (var change in batch)
        {
            if (change is ReactionRequest reaction && state.Find(reaction.MessageId) is { } message
                && await commands.HasReactionAsync(message.Room, message.Sequence, reaction.Reaction, reaction.Actor.Id))
            {
                state.StoredReactions.Add((message.Room, message.Sequence, reaction.Reaction, reaction.Actor.Id));
            }
        }

        return state;
    }

    public static async Task WriteAsync(BatchCommands commands, BatchPlan plan)
    {
        if (plan.NewMessages.Count > 0)
        {
            await commands.InsertAsync(plan.NewMessages);
        }

        if (plan.Events.Count == 0)
        {
            return;
        }

        foreach (var added in plan.ReactionsAdded)
        {
            await commands.AddReactionAsync(added);
        }

        foreach (var (room, sequence, reaction, userId) in plan.ReactionsRemoved)
        {
            await commands.RemoveReactionAsync(room, sequence, reaction, userId);
        }

        foreach (var deleted in plan.Deleted)
        {
            await commands.RemoveReactionsAsync(deleted.Room, deleted.Sequence);
        }

        foreach (var message in plan.ReactionsChanged)
        {
            message.Reactions = MessageMapper.WriteReactions(
                MessageMapper.SummarizeReactions(await commands.ReadReactionsAsync(message.Room, message.Sequence)));
        }

        foreach (var message in plan.Updated)
        {
            await commands.UpdateAsync(message);
        }

        foreach (var roomEvent in plan.Events)
        {
            await commands.InsertEventAsync(roomEvent);
        }

        foreach (var deleted in plan.Deleted)
        {
            await commands.ForgetReactionsAsync(deleted.Room, deleted.Sequence);
        }
    }

    private static async Task AddWithReplyTargetAsync(BatchCommands commands, BatchState state, MessageRecord stored)
    {
        var message = state.Add(stored);
        if (message.ReplyToSequence is { } replyTo && state.Find(message.Room, replyTo) is null
            && await commands.FindMessageAsync(message.Room, replyTo) is { } target)
        {
            state.Add(target);
        }
    }
}
