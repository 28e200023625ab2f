using Chat.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatServer();

var app = builder.Build();
app.MapChatEndpoints();
app.Run();
