// Japanese for the command-line tools' own lines (sekishoctl, sekishod
// --check-config): the diagnostic line shapes, the OK / NOT OK summaries,
// usage problems, the common error lines, and system error texts
// (strerror) that appear inside them. Patterns over the finished English,
// most specific first (catalog.hpp explains the `{name}` fields).

#include "daemon/i18n/catalog.hpp"

namespace sekisho::i18n {

namespace {

constexpr entry table[] = {
    // A diagnostic as policy::format wrote it (doctor's `config` details).
    {"{where}: error: {message} (hint: {hint})", "{where}: エラー: {message}（ヒント: {hint}）"},
    {"{where}: warning: {message} (hint: {hint})", "{where}: 警告: {message}（ヒント: {hint}）"},
    {"{where}: error: {message}", "{where}: エラー: {message}"},
    {"{where}: warning: {message}", "{where}: 警告: {message}"},
    // sekishod --check-config
    {"{file}: OK (policy {hash}, {listeners} listener(s), {services} service(s), {endpoints} screen-transfer "
     "endpoint(s), {tests} policy test(s) passed)",
     "{file}: OK（ポリシー {hash}、リスナー {listeners} 件、クラウドサービス {services} 件、画面転送先 "
     "{endpoints} 件、ポリシーテスト {tests} 件合格）"},
    {"sekishod: {file}: {count} error(s); nothing was started",
     "sekishod: {file}: エラー {count} 件。何も起動していません"},
    // sekishoctl policy check | test
    {"{file}: OK (policy {hash}, {services} service(s), {endpoints} screen-transfer endpoint(s), {tests} "
     "test(s) "
     "passed)",
     "{file}: OK（ポリシー {hash}、クラウドサービス {services} 件、画面転送先 {endpoints} 件、テスト {tests} "
     "件合格）"},
    {"{file}: NOT OK ({errors} error(s), {failed} failed test(s))",
     "{file}: NG（エラー {errors} 件、不合格のテスト {failed} 件）"},
    {"(got {verdict})", "（結果: {verdict}）"},
    // Usage problems.
    {"sekishoctl: --lang needs a value: en or ja", "sekishoctl: --lang には en か ja を指定してください"},
    {"sekishoctl: --lang takes en or ja, not {value}",
     "sekishoctl: --lang に指定できるのは en か ja です（{value} は使えません）"},
    {"sekishoctl: unknown command policy {command}",
     "sekishoctl: policy {command} というコマンドはありません"},
    {"sekishoctl: diff takes OLD NEW",
     "sekishoctl: diff には 変更前 と 変更後 の2つのファイルを指定してください"},
    {"sekishoctl: policy {command} does not take {option}",
     "sekishoctl: policy {command} では {option} は使えません"},
    {"sekishoctl: unknown argument {argument}", "sekishoctl: 不明な引数です: {argument}"},
    {"sekishoctl: {option} needs a value", "sekishoctl: {option} には値が必要です"},
    // Common error lines.
    {"sekishoctl: {file} has errors; nothing to {what}",
     "sekishoctl: {file} にエラーがあります。何もしていません"},
    {"sekishoctl: {file} has errors; nothing {what}",
     "sekishoctl: {file} にエラーがあります。何もしていません"},
    {"sekishoctl: cannot read {file}: {why}", "sekishoctl: {file} を読めません: {why}"},
    {"sekishoctl: {file} not written: {why}", "sekishoctl: {file} に書き込めませんでした: {why}"},
    {"sekishoctl: {count} problem(s) in {file}; nothing imported, {registry} unchanged",
     "sekishoctl: {file} に問題が {count} 件あります。何も取り込まず、{registry} は変更していません"},
    {"sekishoctl: sekishod answered {status}: {why}", "sekishoctl: sekishod の応答 {status}: {why}"},
    {"sekishoctl: sekishod's answer has no metrics text",
     "sekishoctl: sekishod の応答にメトリクスがありません"},
    {"sekishoctl: cannot make a random key (libsodium failed); nothing changed",
     "sekishoctl: 乱数の鍵を作れません（libsodium の失敗）。何も変更していません"},
    {"sekishoctl: cannot hash the password (libsodium failed); nothing changed",
     "sekishoctl: パスワードをハッシュできません（libsodium の失敗）。何も変更していません"},
    {"sekishoctl: no device `{id}` in {file}{more}; nothing changed",
     "sekishoctl: {file} に端末 `{id}` がありません{more}。何も変更していません"},
    {"sekishoctl: {why}; nothing changed", "sekishoctl: {why}。何も変更していません"},
    {"sekishoctl: {why}", "sekishoctl: {why}"},
    // The admin socket (daemon/ctl/admin_client.cpp) and system errors.
    {"cannot connect to {socket}: {why}", "{socket} に接続できません: {why}"},
    {"No such file or directory", "ファイルまたはディレクトリがありません"},
    {"Permission denied", "権限がありません"},
    {"Connection refused", "接続が拒否されました"},
    {"Connection timed out", "接続がタイムアウトしました"},
    {"Is a directory", "ディレクトリです"},
    {"No space left on device", "デバイスに空きがありません"},
    {"Read-only file system", "読み込み専用のファイルシステムです"},
};

} // namespace

std::span<const entry> ja_cli()
{
    return table;
}

} // namespace sekisho::i18n
