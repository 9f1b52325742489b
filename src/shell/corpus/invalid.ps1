# Wrong invocations. Each entry starts with "# expect: <Parameter> <ErrorId>"; binding (shell.check)
# must fail with that error id, naming that parameter in the message.

# expect: SenderIPs NamedParameterNotFound
New-InboundConnector -Name x -SenderDomains contoso.com -SenderIPs 1.2.3.4

# expect: Nme NamedParameterNotFound
New-TransportRule –Nme x

# expect: Sender AmbiguousParameter
New-TransportRule -Name y -Sender a

# expect: Re AmbiguousParameter
Set-InboundConnector "Contoso" -Re $true

# expect: ExceptIfSender AmbiguousParameter
New-TransportRule -Name z -ExceptIfSender 10.0.0.1

# expect: Priority CannotConvertArgumentNoMessage
New-TransportRule -Name x -Priority high

# expect: SetSCL CannotConvertArgumentNoMessage
New-TransportRule -Name x -SetSCL ten

# expect: SetSCL ParameterArgumentValidationError
New-TransportRule -Name x -SetSCL 10

# expect: Priority ParameterArgumentValidationError
New-TransportRule -Name x -Priority -1

# expect: PageSize ParameterArgumentValidationError
Get-QuarantineMessage -PageSize 0

# expect: Page ParameterArgumentValidationError
Get-QuarantineMessage -Page 1001

# expect: PageSize ParameterArgumentValidationError
Get-MessageTrace -PageSize 5001

# expect: ResultSize ParameterArgumentValidationError
Get-MessageTraceV2 -ResultSize 6000

# expect: SenderDomains MissingMandatoryParameter
New-InboundConnector -Name x

# expect: Name MissingMandatoryParameter
New-TransportRule -Quarantine $true

# expect: EndDate MissingMandatoryParameter
Start-HistoricalSearch -ReportTitle x -StartDate 11/01/2026

# expect: RecipientAddress MissingMandatoryParameter
Get-MessageTraceDetail -MessageTraceId ae5c1219-4c90-41bf-fef5-08d837917e7c

# expect: Identity MissingMandatoryParameter
Set-TransportRule -Priority 1

# expect: ClientIP MissingMandatoryParameter
Test-MailFlow -MailFrom a@contoso.com -Recipients b@contoso.com

# expect: Query MissingMandatoryParameter
Invoke-Hunting

# expect: Mode CannotConvertArgumentNoMessage
New-TransportRule -Name x -Mode Test

# expect: ConnectorType CannotConvertArgumentNoMessage
New-InboundConnector -Name x -SenderDomains contoso.com -ConnectorType Internal

# expect: ReportType CannotConvertArgumentNoMessage
Start-HistoricalSearch -ReportTitle x -StartDate 11/01/2026 -EndDate 11/22/2026 -ReportType Everything

# expect: ConnectorType CannotConvertArgumentNoMessage
Start-HistoricalSearch -ReportTitle x -StartDate 11/01/2026 -EndDate 11/22/2026 -ReportType ConnectorReport -ConnectorType None

# expect: RejectDirectSend CannotConvertArgumentNoMessage
Set-OrganizationConfig -RejectDirectSend yes

# expect: Quarantine CannotConvertArgumentNoMessage
New-TransportRule -Name x -Quarantine true

# expect: StartDate CannotConvertArgumentNoMessage
Get-MessageTrace -StartDate "not a date"

# expect: ActivationDate CannotConvertArgumentNoMessage
New-TransportRule -Name x -ActivationDate 13/45/2026

# expect: SenderIpRanges CannotConvertArgumentNoMessage
New-TransportRule -Name x -SenderIpRanges 300.1.1.1

# expect: ExceptIfSenderIpRanges CannotConvertArgumentNoMessage
New-TransportRule -Name "Redirect to quarantine if not coming from known IPs" -Quarantine $true -ExceptIfHeaderContainsMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderContainsWords 'Internal' –ExceptIfSenderIpRanges ‘MX records + on-premises IPs + other authorized IPs ' -StopRuleProcessing $true -Priority 0

# expect: SenderIPAddresses CannotConvertArgumentNoMessage
New-InboundConnector -Name x -SenderDomains contoso.com -SenderIPAddresses 2001:db8::1

# expect: SenderIPAddresses CannotConvertArgumentNoMessage
New-InboundConnector -Name x -SenderDomains contoso.com -SenderIPAddresses 10.0.0.0/16

# expect: SenderIPAddresses CannotConvertArgumentNoMessage
New-InboundConnector -Name x -SenderDomains contoso.com -SenderIPAddresses 10.0.0.1-10.0.0.9

# expect: MessageSizeOver CannotConvertArgumentNoMessage
New-TransportRule -Name x -MessageSizeOver "ten megabytes"

# expect: MessageTraceId CannotConvertArgumentNoMessage
Get-MessageTraceDetail -MessageTraceId abc -RecipientAddress a@contoso.com

# expect: SenderDomains CannotConvertArgumentNoMessage
New-InboundConnector -Name x -SenderDomains @{Add="contoso.com"}

# expect: SenderDomains CannotConvertArgumentNoMessage
New-InboundConnector -Name x -SenderDomains "con toso.com"

# expect: DomainName CannotConvertArgumentNoMessage
New-AcceptedDomain -Name x -DomainName "bad domain"

# expect: SenderAddress CannotConvertArgumentNoMessage
Get-MessageTrace -SenderAddress "not an address"

# expect: SubjectMatchesPatterns CannotConvertArgumentNoMessage
New-TransportRule -Name x -SubjectMatchesPatterns "(unclosed"

# expect: RejectMessageEnhancedStatusCode ParameterArgumentValidationError
New-TransportRule -Name x -RejectMessageEnhancedStatusCode 5.7.5

# expect: Comments ParameterArgumentValidationError
New-TransportRule -Name x -Comments ("a" * 1025)

# expect: ReleaseToAll AmbiguousParameterSet
Release-QuarantineMessage -Identity "8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11" -User julia@contoso.com -ReleaseToAll

# expect: ReleaseToAll CannotConvertArgumentNoMessage
Release-QuarantineMessage -Identity x -ReleaseToAll:yes

# expect: Name MissingArgument
New-TransportRule -Name

# expect: Name ParameterAlreadyBound
New-TransportRule -Name a -Name b

# expect: equal NamedParameterNotFound
Get-TransportRule | Where-Object Name -equal x

# expect: First ParameterArgumentValidationError
Get-TransportRule | Select-Object -First -1

# expect: Depth ParameterArgumentValidationError
Get-TransportRule | ConvertTo-Json -Depth 101

# expect: ClientIP CannotConvertArgumentNoMessage
Test-MailFlow -ClientIP 999.1.1.1 -MailFrom a@contoso.com -Recipients b@contoso.com

# expect: TlsVersion CannotConvertArgumentNoMessage
Test-MailFlow -ClientIP 203.0.113.7 -MailFrom a@contoso.com -Recipients b@contoso.com -TlsVersion SSL3

# expect: State CannotConvertArgumentNoMessage
Get-TransportRule -State On

# expect: Direction CannotConvertArgumentNoMessage
Get-QuarantineMessage -Direction Sideways

# expect: QuarantineTypes CannotConvertArgumentNoMessage
Get-QuarantineMessage -QuarantineTypes Spam,Bogus

# expect: Identity MissingMandatoryParameter
Remove-InboundConnector -Confirm:$false

# expect: JobId CannotConvertArgumentNoMessage
Stop-HistoricalSearch -JobId not-a-guid

# expect: NotifyAddress CannotConvertArgumentNoMessage
Start-HistoricalSearch -ReportTitle x -StartDate 11/01/2026 -EndDate 11/22/2026 -ReportType ConnectorReport -NotifyAddress admin

# Display names and group names need a recipient directory, which Postern doesn't have (the
# documentation's example, as printed): the SMTP address is asked for, naming the parameter.

# expect: BetweenMemberOf1 CannotConvertArgumentNoMessage
New-TransportRule "Ethical Wall - Sales and Brokerage Departments" -BetweenMemberOf1 "Sales Department" -BetweenMemberOf2 "Brokerage Department" -ExceptIfFrom "Tony Smith","Pilar Ackerman" -ExceptIfSubjectContainsWords "Press Release","Corporate Communication" -RejectMessageReasonText "Messages sent between the Sales and Brokerage departments are strictly prohibited."

# expect: SentTo CannotConvertArgumentNoMessage
New-TransportRule -Name "Sales copies" -SentTo "Sales Department" -BlindCopyTo archive@contoso.com

# expect: ExceptIfFrom CannotConvertArgumentNoMessage
Set-TransportRule "Sales copies" -ExceptIfFrom "Kelly Rollin"
