#pragma once
// The world's PKI, copied so that a test's revocations and CRLs stay in
// that test (test_crl.cpp, test_resumption.cpp).

#include "harness/process.hpp"
#include "harness/world.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

namespace sekisho::test {

class pki_copy
{
public:
    pki_copy() : path_(dir_.file("pki"))
    {
        auto r = run({"cp", "-a", world::get().pki, path_}, dir_, std::chrono::seconds(30));
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "cp -a: " + r.err);
    }
    const std::string& path() const { return path_; }
    std::string crl() const { return path_ + "/device-ca.crl"; }

    // Runs a shell command in the PKI folder (the device CA's openssl.cnf
    // names its files relative to it).
    void sh(const std::string& script)
    {
        auto r = run({"bash", "-c", "set -e; cd \"$0\"; " + script, path_}, dir_, std::chrono::seconds(30));
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, script + ": " + r.err);
    }
    // Revokes a device with the device CA and publishes a new CRL, written
    // beside and renamed into place as an operator's script would.
    void revoke(const std::string& device)
    {
        sh("openssl ca -config device-ca/openssl.cnf -revoke device-" + device + ".pem");
        publish();
    }
    void publish()
    {
        sh("openssl ca -config device-ca/openssl.cnf -gencrl -out new.crl; mv new.crl device-ca.crl");
    }
    // Puts another file of the PKI in the CRL's place.
    void install(const std::string& file) { sh("cp " + file + " new.crl; mv new.crl device-ca.crl"); }

private:
    temp_dir dir_;
    std::string path_;
};

} // namespace sekisho::test
