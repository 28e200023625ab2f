using System.Reflection;
using Chat.Shared;
using Chat.TypeScript.Generator;

namespace Chat.Tests.TypeScriptClient;

/// <summary>What the generator writes from Chat.Shared for the TypeScript client (clients/typescript/src/generated).</summary>
public sealed class ContractGeneratorUnitTests
{
    private static readonly Dictionary<string, string> Files =
        TypeScriptWriter.Write(ContractModel.Read(typeof(IChatHub).Assembly)).ToDictionary(f => f.Name, f => f.Text);

    private static string Contract => Files["contract.ts"];

    private static string Hub => Files["hub.ts"];

    [Fact]
    public void EveryHubMethodIsInTheTypedProxyUnderItsWireName()
    {
        foreach (var method in typeof(IChatHub).GetMethods())
        {
            var parameters = string.Join(", ", method.GetParameters().Select(p => p.Name));
            Hub.Should().Contain($"    return this.invoke(\"{method.Name}\"{(parameters.Length == 0 ? "" : ", " + parameters)});");
        }

        Hub.Should().Contain("  SendMessage(room: string, content: string, clientMessageId: string | null): Promise<ChatMessage>;");
        Hub.Should().Contain("  GetHistory(room: string, beforeSequence: number | null, limit: number): Promise<ChatMessage[]>;");
        Hub.Should().Contain("  DeleteMessage(room: string, messageId: string): Promise<void>;");
    }

    [Fact]
    public void EveryCallbackIsTypedWithItsArgument()
    {
        foreach (var callback in typeof(IChatClient).GetMethods())
        {
            var parameter = callback.GetParameters().Single();
            Hub.Should().Contain($"  {callback.Name}({parameter.Name}: {parameter.ParameterType.Name}): void;");
            Hub.Should().Contain($"  {callback.Name}: \"{parameter.ParameterType.Name}\",");
        }
    }

    [Fact]
    public void RecordsAreInterfacesWithTheirWireNamesNullabilityAndDates()
    {
        Contract.Should().Contain("export interface ChatMessage {");
        Contract.Should().Contain("  sentAt: Date;");
        Contract.Should().Contain("  editedAt: Date | null;");
        Contract.Should().Contain("  replyTo: MessageRef | null;");
        Contract.Should().Contain("  reactions: Reaction[];");
        // Reaction.Value travels as "reaction" in both protocols.
        Contract.Should().Contain("export interface Reaction {\n  /** The reaction: an emoji or a `:short_name:` (the wire name is `reaction`). */\n  reaction: string;");
        Contract.Should().Contain("  ChatMessage: { dates: [\"sentAt\", \"editedAt\", \"deletedAt\"], nested: { replyTo: \"MessageRef\", reactions: \"Reaction\", attachments: \"Attachment\" } },");
    }

    [Fact]
    public void FieldsSentToTheServerMayLeaveOutWhatDefaultsToNullAndReceivedOnesAreAlwaysThere()
    {
        Contract.Should().Contain("export interface PostMessageRequest {");
        Contract.Should().Contain("  clientMessageId?: string | null;");
        Contract.Should().Contain("  limit: number;", "a default that is not null must be sent");
        Contract.Should().Contain("export interface RoomEvent {");
        Contract.Should().Contain("  message: ChatMessage | null;");
    }

    [Fact]
    public void StringFieldsDocumentedAsOneOfAConstantSetTakeItsValues()
    {
        Contract.Should().Contain("  kind: RoomKinds;");
        Contract.Should().Contain("  role: MemberRoles;");
        Contract.Should().Contain("  type: RoomEventTypes;");
        Contract.Should().Contain("  kind: typeof RoomKinds.Public | typeof RoomKinds.Private;");
        Contract.Should().Contain("  status: typeof PresenceStatus.Online | typeof PresenceStatus.Offline;");
        Contract.Should().Contain("export type RoomKinds = \"public\" | \"private\" | \"direct\";");
    }

    [Fact]
    public void ConstantsCarryTheirValuesAndDocumentation()
    {
        foreach (var code in ChatErrorCodes.All)
        {
            Contract.Should().Contain($"\"{code}\",");
        }

        Contract.Should().Contain($"  MaxMessageLength: {ChatLimits.MaxMessageLength},");
        Contract.Should().Contain($"  AttachmentUrlLifetimeMs: {(long)ChatLimits.AttachmentUrlLifetime.TotalMilliseconds},");
        Contract.Should().Contain($"  Hub: \"{ChatRoutes.Hub}\",");
        Contract.Should().Contain("  /** The message content is empty after trimming. */\n  EmptyMessage: \"empty_message\",");
        Contract.Should().Contain("  RoomNamePattern: new RegExp(\"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$\", \"u\"),");
    }

    [Fact]
    public void EveryPublicRecordOfTheContractIsWritten()
    {
        var records = typeof(IChatHub).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "Chat.Shared" && t.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null);
        foreach (var record in records)
        {
            Contract.Should().Contain($"export interface {record.Name} {{");
        }
    }
}
