using Chat.Server.History;

namespace Chat.Server.Messaging;

/// <summary>Reads what a batch's plan needs and writes what it decided, inside the batch's transaction.</summary>
internal static class BatchLoader
{
    public static async Task<BatchState> LoadAsync(BatchCommands commands, IReadOnlyList<ChangeRequest> batch, bool findRetries, bool loadRules)
    {
        var state = new BatchState();
        var readsState = loadRules;
        HashSet<(string, string)>? retryKeys = null;
        foreach (var change in batch)
        {
            if (change is not PostRequest post)
            {
                readsState = true;
                continue;
            }

            // A direct room's post notifies its other member: read the members at once rather than planning twice.
            if (post.Room.StartsWith(Chat.Shared.ChatLimits.DirectRoomPrefix, StringComparison.Ordinal))
            {
                readsState = true;
            }

            // A repeat of a post with files would be refused for the files its first send claimed (invalid_attachment)
            // before the unique index could reveal it as a repeat: such a post looks for its first send at once.
            if ((findRetries || post.AttachmentIds.Length > 0) && post.ClientMessageId is { } clientId)
            {
                (retryKeys ??= []).Add((post.Actor.Id, clientId));
            }
        }

        // A plain batch of new messages (the hot path) reads nothing. A batch that reads messages holds all its rooms
        // first, in one order, so that nothing it read can change before it writes.
        if (readsState)
        {
            await commands.LockRoomsAsync(batch.Select(c => c.Room).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
            await LoadRulesAsync(commands, batch, state);
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

        // Whom a post names is notified only while they may read the room: in a public room, unless banned from it.
        foreach (var change in batch)
        {
            if (change is PostRequest named && !named.Room.StartsWith(Chat.Shared.ChatLimits.DirectRoomPrefix, StringComparison.Ordinal))
            {
                var replyTo = named.ReplyToId is { } replyToId ? state.Find(replyToId)?.SenderId : null;
                foreach (var userId in replyTo is null ? named.Mentions : named.Mentions.Append(replyTo))
                {
                    if (!state.NamedBans.ContainsKey((named.Room, userId)))
                    {
                        state.NamedBans[(named.Room, userId)] = await commands.ReadBanAsync(named.Room, userId);
                    }
                }
            }
        }

        // A reply in a private room notifies its target's sender only while they may still read it.
        if (state.RulesLoaded)
        {
            foreach (var change in batch)
            {
                if (change is PostRequest { ReplyToId: { } replyToId } && state.Find(replyToId) is { } target
                    && state.RoomStates.GetValueOrDefault(change.Room) is { } room)
                {
                    await LoadPersonAsync(commands, state, room, change.Room, target.SenderId);
                }
            }
        }

        foreach (var change in batch)
        {
            if (change is PostRequest { AttachmentIds.Length: > 0 } withFiles)
            {
                foreach (var id in withFiles.AttachmentIds)
                {
                    if (!state.Attachments.ContainsKey(id))
                    {
                        state.Attachments[id] = await commands.ReadAttachmentAsync(id);
                    }
                }
            }

            if (change is ReactionRequest reaction && state.Find(reaction.MessageId) is { } message
                && await commands.HasReactionAsync(message.Room, message.Sequence, reaction.Reaction, reaction.Actor.Id))
            {
                state.StoredReactions.Add((message.Room, message.Sequence, reaction.Reaction, reaction.Actor.Id));
            }
        }

        return state;
    }

    /// <summary>New rooms go in before their numbers are allocated, so the allocation finds them with their kind.</summary>
    public static async Task WriteNewRoomsAsync(BatchCommands commands, BatchPlan plan)
    {
        foreach (var room in plan.RoomsCreated)
        {
            await commands.InsertRoomAsync(room);
        }
    }

    public static async Task WriteAsync(BatchCommands commands, BatchPlan plan)
    {
        if (plan.NewMessages.Count > 0)
        {
            await commands.InsertAsync(plan.NewMessages);
        }

        await WriteAttachmentsAsync(commands, plan);

        await WriteMembershipAsync(commands, plan);
        if (plan.ReadPointers.Count > 0)
        {
            await commands.ReadOwnPostsAsync(plan.ReadPointersInOrder(), plan.Now);
        }

        foreach (var notification in plan.Notifications)
        {
            await commands.InsertNotificationAsync(notification);
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
            await commands.RemoveNotificationsAsync(deleted.Room, deleted.Sequence);
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

    private static async Task WriteAttachmentsAsync(BatchCommands commands, BatchPlan plan)
    {
        MessageRecord? written = null;
        foreach (var (attachment, message) in plan.AttachmentsClaimed)
        {
            if (!ReferenceEquals(message, written))
            {
                await commands.WriteAttachmentsAsync(message);
                written = message;
            }

            await commands.ClaimAttachmentAsync(attachment.Id, message.Room, message.Sequence);
        }

        foreach (var id in plan.AttachmentsDeleted)
        {
            await commands.RemoveAttachmentAsync(id);
        }
    }

    private static async Task WriteMembershipAsync(BatchCommands commands, BatchPlan plan)
    {
        foreach (var user in plan.UsersSeen)
        {
            await commands.WriteUserAsync(user);
        }

        foreach (var room in plan.RoomsUpdated)
        {
            await commands.UpdateRoomSettingsAsync(room);
        }

        foreach (var (room, userId) in plan.MembersRemoved)
        {
            await commands.RemoveMemberAsync(room, userId);
        }

        foreach (var member in plan.MembersWritten)
        {
            await commands.WriteMemberAsync(member);
        }

        foreach (var (room, userId) in plan.BansRemoved)
        {
            await commands.RemoveBanAsync(room, userId);
        }

        foreach (var ban in plan.BansWritten)
        {
            await commands.WriteBanAsync(ban);
        }
    }

    /// <summary>The rooms, members, bans and users the batch's rules need, each read once.</summary>
    private static async Task LoadRulesAsync(BatchCommands commands, IReadOnlyList<ChangeRequest> batch, BatchState state)
    {
        state.RulesLoaded = true;
        foreach (var change in batch)
        {
            if (change is UserSeenRequest)
            {
                await LoadUserAsync(commands, state, change.Actor.Id);
                continue;
            }

            var room = await LoadRoomAsync(commands, state, change.Room);
            await LoadPersonAsync(commands, state, room, change.Room, change.Actor.Id);
            switch (change)
            {
                case MemberRequest member:
                    await LoadPersonAsync(commands, state, room, change.Room, member.UserId);
                    await LoadUserAsync(commands, state, member.UserId);
                    break;
                case NewRoomRequest newRoom:
                    foreach (var userId in newRoom.MemberIds)
                    {
                        await LoadUserAsync(commands, state, userId);
                    }

                    break;
                case DirectRoomRequest direct:
                    await LoadUserAsync(commands, state, direct.OtherUserId);
                    break;
                case PostRequest post when room.Record?.Kind is not (null or Chat.Shared.RoomKinds.Public):
                    foreach (var userId in post.Mentions)
                    {
                        await LoadPersonAsync(commands, state, room, change.Room, userId);
                    }

                    break;
            }
        }
    }

    private static async Task<RoomState> LoadRoomAsync(BatchCommands commands, BatchState state, string name)
    {
        if (!state.RoomStates.TryGetValue(name, out var room))
        {
            room = new RoomState(await commands.ReadRoomAsync(name));
            state.RoomStates[name] = room;
            // A direct room's answer lists both members.
            if (room.Record?.Kind == Chat.Shared.RoomKinds.Direct)
            {
                foreach (var member in await commands.ReadMembersAsync(name))
                {
                    room.Members[member.UserId] = member;
                }
            }
        }

        return room;
    }

    private static async Task LoadPersonAsync(BatchCommands commands, BatchState state, RoomState room, string name, string userId)
    {
        if (room.Record is null || room.Members.ContainsKey(userId))
        {
            return;
        }

        room.Members[userId] = (await commands.ReadMembersAsync(name, userId)).FirstOrDefault();
        room.Bans[userId] = await commands.ReadBanAsync(name, userId);
    }

    private static async Task LoadUserAsync(BatchCommands commands, BatchState state, string userId)
    {
        if (!state.Users.ContainsKey(userId))
        {
            state.Users[userId] = await commands.ReadUserAsync(userId);
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
