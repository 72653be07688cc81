using System.CommandLine;
using System.Net;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Reconciler.WebConsole;

namespace GitOps.Cli.Commands;

/// <summary>
/// The <c>--console*</c> options of <c>gitops reconcile</c> and <c>gitops up</c>: the read-only web console under
/// <c>/console/</c> on the address of <c>/metrics</c>. Off unless <c>--console</c>; then it requires a bearer token
/// (<c>--console-token-file</c> or <c>GITOPS_CONSOLE_TOKEN</c>), or <c>--console-auth none</c> on a loopback address.
/// </summary>
public sealed class WebConsoleServing
{
    private readonly Option<bool> _enabled = new("--console") { Description = "Serve the read-only web console under /console/ on the --listen address (see docs/console.md)" };
    private readonly Option<string?> _tokenFile = new("--console-token-file") { Description = $"File holding the bearer token the console requires, e.g. a mounted Secret (default: ${ConsoleToken.EnvironmentVariable})", HelpName = "FILE" };
    private readonly Option<string> _auth = new("--console-auth")
    {
        Description = "token: every request carries the token; none: no token, only when listening on a loopback address (behind an authenticating reverse proxy)",
        DefaultValueFactory = _ => "token",
    };

    private WebConsoleServing() => _auth.AcceptOnlyFromAmong("token", "none");

    public static WebConsoleServing AddTo(Command command)
    {
        var serving = new WebConsoleServing();
        foreach (var option in new Option[] { serving._enabled, serving._tokenFile, serving._auth })
        {
            command.Options.Add(option);
        }
        return serving;
    }

    /// <summary>The console's settings for a server on <paramref name="listen"/>; null without <c>--console</c>. A
    /// <see cref="UserError"/> says what is missing (never the token).</summary>
    public ConsoleOptions? Resolve(ParseResult parse, IPEndPoint listen)
    {
        if (!parse.GetValue(_enabled))
        {
            return null;
        }
        ConsoleToken? token;
        try
        {
            token = ConsoleToken.Load(parse.GetValue(_tokenFile), CliEnvironment.Current.Variable);
        }
        catch (IOException e)
        {
            throw new UserError($"{e.Message.TrimEnd('.')}. Fix --console-token-file, or leave it out and set ${ConsoleToken.EnvironmentVariable}.");
        }
        var auth = parse.GetValue(_auth) == "none" ? ConsoleAuth.None : ConsoleAuth.Token;
        var (options, error) = ConsoleOptions.Create(auth, token, listen);
        return options ?? throw new UserError(error + ".");
    }
}
