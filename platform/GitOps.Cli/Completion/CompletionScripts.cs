using System.Collections.Frozen;

namespace GitOps.Cli.Completion;

/// <summary>
/// The shell scripts <c>gitops completion SHELL</c> prints. Each hands the command line typed so far (without the
/// program's name) to <c>gitops [suggest:POSITION] "LINE"</c>, System.CommandLine's completion directive, so that the
/// completions come from the command definitions themselves: commands, options, option values, and the names
/// <see cref="Conventions.RepositoryCompletions"/> reads from the repository (environments, models).
/// </summary>
public static class CompletionScripts
{
    public const string Bash = "bash";
    public const string Zsh = "zsh";
    public const string Fish = "fish";
    public const string PowerShell = "powershell";

    public static readonly IReadOnlyList<string> Shells = [Bash, Zsh, Fish, PowerShell];

    private static readonly FrozenDictionary<string, string> Scripts = new Dictionary<string, string>
    {
        [Bash] = """
            # bash completion for gitops.
            # This shell:   source <(gitops completion bash)
            # Every shell:  gitops completion bash > ~/.local/share/bash-completion/completions/gitops
            _gitops_completions()
            {
                local line="${COMP_LINE:0:COMP_POINT}"
                line="${line#"${line%%[![:space:]]*}"}"
                # Still typing the program's own name: nothing of gitops to complete yet.
                [[ "$line" == *[[:space:]]* ]] || return 0
                line="${line#*[[:space:]]}"
                local word="${line##*[[:space:]]}" suggestion
                local -a suggestions
                # mapfile, not suggestions=($(...)): suggestions such as '-?' must not be expanded as globs.
                mapfile -t suggestions < <(gitops "[suggest:${#line}]" "$line" 2>/dev/null)
                # gitops also suggests names that merely contain the word; bash wants those that start with it. None
                # left: bash completes file names (-o default).
                COMPREPLY=()
                for suggestion in "${suggestions[@]}"; do
                    [[ -n "$suggestion" && "$suggestion" == "$word"* ]] && COMPREPLY+=("$suggestion")
                done
                return 0
            }
            complete -o default -F _gitops_completions gitops

            """,
        [Zsh] = """
            #compdef gitops
            # zsh completion for gitops.
            # This shell:   source <(gitops completion zsh)
            # Every shell:  gitops completion zsh > "${fpath[1]}/_gitops"   (then start a new shell)
            _gitops()
            {
                local line="${(j: :)${(@)words[2,CURRENT]}}"
                local -a suggestions
                suggestions=("${(@f)$(gitops "[suggest:${#line}]" "$line" 2>/dev/null)}")
                suggestions=(${suggestions:#})
                if (( ${#suggestions} )); then
                    compadd -a suggestions
                else
                    _files
                fi
            }
            if [[ "${funcstack[1]}" == "_gitops" ]]; then
                _gitops "$@"
            else
                compdef _gitops gitops
            fi

            """,
        [Fish] = """
            # fish completion for gitops.
            # This shell:   gitops completion fish | source
            # Every shell:  gitops completion fish > ~/.config/fish/completions/gitops.fish
            function __gitops_complete
                set -l line (string replace -r -- '^\s*\S+\s*' '' (commandline -cp))
                set -l suggestions (gitops "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null | string match -rv '^$')
                if test (count $suggestions) -gt 0
                    printf '%s\n' $suggestions
                else
                    __fish_complete_path (commandline -ct)
                end
            end
            complete -c gitops -f -a '(__gitops_complete)'

            """,
        [PowerShell] = """
            # PowerShell completion for gitops.
            # This session:   gitops completion powershell | Out-String | Invoke-Expression
            # Every session:  add that line to $PROFILE
            Register-ArgumentCompleter -Native -CommandName gitops -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $length = $cursorPosition - $commandAst.Extent.StartOffset
                $line = $commandAst.Extent.Text.PadRight($length).Substring(0, $length)
                if ($line -notmatch '\s') { return }
                $line = $line -replace '^\s*\S+\s*', ''
                gitops "[suggest:$($line.Length)]" "$line" 2>$null | Where-Object { $_ -and $_.StartsWith($wordToComplete) } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The script for <paramref name="shell"/>, one of <see cref="Shells"/>.</summary>
    public static string For(string shell) => Scripts[shell].Replace("\r\n", "\n", StringComparison.Ordinal);
}
